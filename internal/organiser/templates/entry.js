(function(){
function whole(t){var d=t.value.replace(/\D/g,""),n=t.getAttribute("data-digits"),m=t.getAttribute("data-max");return !!d&&(n?d.length>=+n:!!m&&(d[0]==="0"||+d*10>+m))}
document.addEventListener("input",function(e){var t=e.target;if(!t.form||!whole(t))return;var f=t.form.elements,i=Array.prototype.indexOf.call(f,t);for(var j=i+1;j<f.length;j++){if(f[j].type!=="hidden"){f[j].focus();if(f[j].select)f[j].select();break}}});
var sheet=document.getElementById("sheet");
if(sheet&&document.activeElement===document.body&&!location.hash)sheet.focus();
})();
